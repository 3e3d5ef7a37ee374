package dev.penwright.api.serve;

import java.time.Instant;

/**
 * An adapter loaded at run time.
 *
 * @param name      the name requests use as their {@code model}
 * @param baseModel the base model it adapts
 * @param loadedAt  when it was loaded
 */
public record LoadedAdapter(String name, String baseModel, Instant loadedAt) {
    /** The style part of a content-addressed name ({@code <style>@<digest>}), or the whole name. */
    public String style() {
        int at = name.indexOf('@');
        return at > 0 ? name.substring(0, at) : name;
    }
}
