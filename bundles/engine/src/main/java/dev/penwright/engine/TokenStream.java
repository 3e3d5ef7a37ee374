package dev.penwright.engine;

/** Sees each generated token as soon as it is sampled, with the text it completes (may be empty). */
@FunctionalInterface
public interface TokenStream {
    TokenStream NONE = (id, logprob, text) -> { };

    void onToken(int tokenId, double logprob, String textDelta);
}
