# kernel nbody: the n-body inner step (float arithmetic on lists of lists), five bodies,
# n steps of dt = 0.01. Checksum: the system's energy afterwards (a float, compared bit for bit).
import sys

PI = 3.141592653589793
SOLAR_MASS = 4 * PI * PI
DAYS = 365.24


def make_bodies():
    # x, y, z, vx, vy, vz, mass
    return [
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, SOLAR_MASS],
        [4.84, -1.16, -0.10, 0.00166 * DAYS, 0.00770 * DAYS, -0.0000690 * DAYS, 0.000954 * SOLAR_MASS],
        [8.34, 4.12, -0.40, -0.00277 * DAYS, 0.00500 * DAYS, 0.0000230 * DAYS, 0.000286 * SOLAR_MASS],
        [12.89, -15.11, -0.22, 0.00296 * DAYS, 0.00237 * DAYS, -0.0000296 * DAYS, 0.0000437 * SOLAR_MASS],
        [15.38, -25.92, 0.18, 0.00268 * DAYS, 0.00163 * DAYS, -0.0000951 * DAYS, 0.0000515 * SOLAR_MASS],
    ]


def energy(bodies):
    e = 0.0
    n = len(bodies)
    for i in range(n):
        a = bodies[i]
        e += 0.5 * a[6] * (a[3] * a[3] + a[4] * a[4] + a[5] * a[5])
        for j in range(i + 1, n):
            b = bodies[j]
            dx = a[0] - b[0]
            dy = a[1] - b[1]
            dz = a[2] - b[2]
            e -= a[6] * b[6] / (dx * dx + dy * dy + dz * dz) ** 0.5
    return e


def advance(bodies, dt, steps):
    n = len(bodies)
    for _ in range(steps):
        for i in range(n):
            a = bodies[i]
            for j in range(i + 1, n):
                b = bodies[j]
                dx = a[0] - b[0]
                dy = a[1] - b[1]
                dz = a[2] - b[2]
                d2 = dx * dx + dy * dy + dz * dz
                mag = dt / (d2 * d2 ** 0.5)
                bm = b[6] * mag
                am = a[6] * mag
                a[3] -= dx * bm
                a[4] -= dy * bm
                a[5] -= dz * bm
                b[3] += dx * am
                b[4] += dy * am
                b[5] += dz * am
        for b in bodies:
            b[0] += dt * b[3]
            b[1] += dt * b[4]
            b[2] += dt * b[5]


def kernel(n):
    bodies = make_bodies()
    advance(bodies, 0.01, n)
    return energy(bodies)


if __name__ == "__main__":
    print(kernel(int(sys.argv[1]) if len(sys.argv) > 1 else 5000))
