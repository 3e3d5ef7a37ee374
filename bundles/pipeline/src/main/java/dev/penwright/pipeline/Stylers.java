package dev.penwright.pipeline;

import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.penwright.api.style.Styler;

/**
 * The Styler services bound now: the local engine's (no {@link Styler#BASE_MODEL} property) and remote ones, each
 * serving one base model. A pack on a base model that a remote styler serves is rendered there; the rest locally.
 */
final class Stylers {
    private record Bound(Styler styler, String baseModel) {
    }

    private final CopyOnWriteArrayList<Bound> bound = new CopyOnWriteArrayList<>();

    void bind(Styler styler, Map<String, Object> properties) {
        Object model = properties.get(Styler.BASE_MODEL);
        bound.add(new Bound(styler, model == null ? "" : model.toString()));
    }

    void unbind(Styler styler) {
        bound.removeIf(b -> b.styler() == styler);
    }

    /**
     * The remote styler serving {@code baseModel}, else the local one; with no base model asked for (no pack), the
     * local one, else any remote one (a node that holds no model renders everything remotely). Null when none fits.
     */
    Styler choose(String baseModel) {
        Styler local = null;
        Styler anyRemote = null;
        for (Bound b : bound) {
            if (b.baseModel().isEmpty()) {
                local = local == null ? b.styler() : local;
            } else if (baseModel != null && b.baseModel().equals(baseModel)) {
                return b.styler();
            } else if (anyRemote == null) {
                anyRemote = b.styler();
            }
        }
        return local != null || baseModel != null ? local : anyRemote;
    }
}
