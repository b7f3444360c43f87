# any() over a generator that allocates on every item: collected while it runs?
print(any(len(str(i) * 50) == 0 for i in range(1000000)))
print(max(len(str(i) * 50) for i in range(1000000)))
