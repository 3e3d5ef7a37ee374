package dev.penwright.trainer.loop;

/**
 * One training sequence: token ids, and the first position whose token is predicted with loss. Tokens before
 * {@code lossFrom} are context only (the plan of a style-imitation pair); base training sets it to 1.
 */
public record Example(String id, long[] ids, int lossFrom) {
    public Example {
        if (ids.length < 2) {
            throw new IllegalArgumentException("example " + id + " has fewer than two tokens");
        }
        if (lossFrom < 1 || lossFrom >= ids.length) {
            throw new IllegalArgumentException("example " + id + ": loss must start within the sequence (1.."
                    + (ids.length - 1) + "), got " + lossFrom);
        }
    }

    /** Tokens that carry loss. */
    public int targetTokens() {
        return ids.length - lossFrom;
    }
}
