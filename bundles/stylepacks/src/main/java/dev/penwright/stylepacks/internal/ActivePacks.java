package dev.penwright.stylepacks.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import dev.penwright.api.style.StylePack;
import dev.penwright.api.style.StylePackEntry;
import dev.penwright.api.style.StylePackState;
import dev.penwright.stylepacks.InvalidStylePackException;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.Version;

/**
 * The serving version of each style id and its service registration. One lock guards the map, so that a lookup never
 * sees a style between two versions; registering and retiring happen outside it, by the extender.
 */
final class ActivePacks {
    /** A serving version: the pack, its StylePack service, and since when it serves. */
    record Active(BundleStylePack pack, ServiceRegistration<StylePack> registration, Instant since) {
        StylePackEntry entry() {
            return new StylePackEntry(pack.descriptor().id(), pack.version(), pack.descriptor().name(),
                    pack.descriptor().language(), pack.descriptor().baseModel(), StylePackState.ACTIVE, "",
                    pack.location(), since);
        }
    }

    private final Map<String, Active> active = new HashMap<>();

    /** Whether the style's serving version is this bundle revision (a refresh restarted it: nothing to judge). */
    synchronized boolean serves(String styleId, long bundleId, long revision) {
        Active current = active.get(styleId);
        return current != null && current.pack().bundleId() == bundleId && current.pack().lastModified() == revision;
    }

    /**
     * Makes {@code pack} the style's serving version, registered by {@code register} under the lock, so no lookup
     * finds the style missing in between. A style served by another bundle is refused: two files, one id.
     *
     * @return the new version, and the one it replaces (to be retired) or null
     */
    synchronized Replaced replace(BundleStylePack pack, Function<BundleStylePack, ServiceRegistration<StylePack>> register)
            throws InvalidStylePackException {
        String id = pack.descriptor().id();
        Active previous = active.get(id);
        if (previous != null && previous.pack().bundleId() != pack.bundleId()) {
            // The file's name, not its location: reasons reach HTTP answers, which carry no server paths.
            String other = previous.pack().location();
            throw new InvalidStylePackException("style id '" + id + "' is already provided by "
                    + other.substring(other.lastIndexOf('/') + 1));
        }
        Active now = new Active(pack, register.apply(pack), Instant.now());
        active.put(id, now);
        return new Replaced(now, previous);
    }

    /** What {@link #replace} did. */
    record Replaced(Active now, Active previous) {
    }

    /** The style's serving version, removed when the bundle provides it. */
    synchronized Optional<Active> remove(String styleId, long bundleId) {
        Active current = active.get(styleId);
        if (current == null || current.pack().bundleId() != bundleId) {
            return Optional.empty();
        }
        active.remove(styleId);
        return Optional.of(current);
    }

    /** Every serving version, removed: the extender stops. */
    synchronized List<Active> removeAll() {
        List<Active> all = new ArrayList<>(active.values());
        active.clear();
        return all;
    }

    synchronized Optional<Active> get(String styleId) {
        return Optional.ofNullable(active.get(styleId));
    }

    synchronized Optional<Version> version(String styleId) {
        return get(styleId).map(a -> Version.parseVersion(a.pack().version()));
    }

    synchronized List<StylePackEntry> entries() {
        return active.values().stream().map(Active::entry).toList();
    }
}
