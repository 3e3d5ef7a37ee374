package dev.penwright.stylepacks;

/**
 * How large a style-pack jar may be once inflated, one set of numbers for every way a pack arrives (the deploy
 * folder, an HTTP upload, {@code pen:deploy}). A pack is data: an adapter of a few to a few tens of MB, exemplars
 * and JSON, so the defaults are tens of MB, not GiB; a larger adapter (a big base model at a high rank) raises them
 * in {@code etc/dev.penwright.stylepacks.cfg}.
 *
 * @param maxEntries       entries in the jar (its central directory)
 * @param maxInflatedBytes bytes all entries inflate to together
 * @param maxEntryBytes    bytes one entry inflates to
 * @param maxRatio         inflated bytes per stored byte, for the jar as a whole and for each entry, checked once an
 *                         entry or the total passes {@link #RATIO_FLOOR_BYTES} (small files of zeros compress far
 *                         better than any real pack, so the ratio of tiny entries says nothing)
 */
public record PackLimits(int maxEntries, long maxInflatedBytes, long maxEntryBytes, int maxRatio) {
    /** Below this many inflated bytes the ratio is not judged. */
    public static final long RATIO_FLOOR_BYTES = 1L << 20;
    public static final PackLimits DEFAULTS = new PackLimits(1000, 64L << 20, 64L << 20, 100);

    public PackLimits {
        if (maxEntries < 1 || maxInflatedBytes < 1 || maxEntryBytes < 1 || maxRatio < 1) {
            throw new IllegalArgumentException("pack limits must be positive: " + maxEntries + " entries, "
                    + maxInflatedBytes + " bytes, " + maxEntryBytes + " bytes an entry, ratio " + maxRatio);
        }
    }
}
