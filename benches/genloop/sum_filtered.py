# sum() over a filtered generator expression (`if f` on strs): 4 x 50k items, half yielded.
fields = ["alpha", ""] * 25000
n = 0
for _ in range(4):
    n += sum(1 for f in fields if f)
print(n)
