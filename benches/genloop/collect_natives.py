# list, str.join, set, max and any over generator expressions of 50k items.
fields = [str(i) for i in range(50000)]
a = list(f for f in fields)
b = "".join(f for f in fields)
c = set(f for f in fields)
d = max(len(f) for f in fields)
e = any(f == "x" for f in fields)
print(len(a), len(b), len(c), d, e)
