# str_build's generator line on 50k fields (1 in 2 yields), after building the fields.
fields = [("alpha%d" % i) if i % 2 else ("beta%d" % i) for i in range(50000)]
upper = sum(1 for f in fields if f.upper().startswith("ALPHA"))
print(upper)
