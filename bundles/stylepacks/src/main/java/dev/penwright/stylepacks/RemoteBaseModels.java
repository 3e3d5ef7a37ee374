package dev.penwright.stylepacks;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import dev.penwright.api.style.Styler;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The base models that remote stylers render (their {@link Styler#BASE_MODEL} property): a pack on one of them is
 * admitted on a node that holds no copy of that model.
 */
@Component(service = RemoteBaseModels.class)
public final class RemoteBaseModels implements Predicate<String> {
    private final Map<Styler, String> served = new ConcurrentHashMap<>();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = "(" + Styler.BASE_MODEL + "=*)")
    void addStyler(Styler styler, Map<String, Object> properties) {
        served.put(styler, String.valueOf(properties.get(Styler.BASE_MODEL)));
        listeners.forEach(Runnable::run);
    }

    /** Runs {@code listener} whenever a remote styler arrives (packs refused for their base model may now pass). */
    public void onArrival(Runnable listener) {
        listeners.add(listener);
    }

    public void removeListener(Runnable listener) {
        listeners.remove(listener);
    }

    void removeStyler(Styler styler) {
        served.remove(styler);
    }

    @Override
    public boolean test(String baseModel) {
        return served.containsValue(baseModel);
    }
}
