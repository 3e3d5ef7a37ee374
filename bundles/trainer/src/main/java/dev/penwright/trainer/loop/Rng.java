package dev.penwright.trainer.loop;

/**
 * SplitMix64: a tiny generator whose whole state is one long, so a checkpoint can store it and a resumed run draws
 * exactly the numbers the killed run would have drawn.
 */
public final class Rng {
    private long state;

    public Rng(long state) {
        this.state = state;
    }

    public long state() {
        return state;
    }

    public long nextLong() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, 1). */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    public int nextInt(int bound) {
        return (int) Long.remainderUnsigned(nextLong(), bound);
    }

    /** A java.util.Random seeded from this stream, for APIs that want one. */
    public java.util.Random fork() {
        return new java.util.Random(nextLong());
    }
}
