# tier 3 gen_pipeline without its iterator class and try/except (langdata benchmark: generators, yield from, send)
import sys


def numbers(seed, count):
    state = seed
    for _ in range(count):
        state = (state * 48271) % 2147483647
        yield state % 1000


def windows(it, size):
    buf = []
    for x in it:
        buf.append(x)
        if len(buf) == size:
            yield tuple(buf)
            buf.pop(0)


def chained(*sources):
    for s in sources:
        yield from s


def averager():
    total = 0.0
    count = 0
    avg = None
    while True:
        value = yield avg
        if value is None:
            return count
        total += value
        count += 1
        avg = total / count


def main(n):
    peaks = sum(1 for w in windows(numbers(7, n), 3) if w[1] > w[0] and w[1] > w[2])
    evens = sum(x for x in chained(numbers(1, n // 2), numbers(2, n // 2)) if x % 2 == 0)
    avg = averager()
    next(avg)
    last = None
    for x in numbers(3, n // 4):
        last = avg.send(x)
    counted = 0
    squares = list(x * x for x in range(6))
    print("peaks:", peaks)
    print("even sum:", evens)
    print("running average:", round(last, 6), "over", counted)
    print("countdown squares:", squares, sum(range(n % 97)))


N = int(sys.argv[1]) if len(sys.argv) > 1 else 1200000
main(N)
