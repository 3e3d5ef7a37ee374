package dev.penwright.api.service;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The services of one kind bound right now, by id: what a component with a multiple, dynamic reference to planners
 * or evaluators keeps. A service's id is its registration property {@code idProperty} when it has one, else what the
 * service says of itself. Safe for the bind and unbind calls of DS threads while requests read it.
 *
 * <pre>{@code
 * private final ServicesById<Planner> planners = new ServicesById<>(Planner.ID, Planner::id);
 *
 * @Reference(cardinality = MULTIPLE, policy = DYNAMIC)
 * void addPlanner(Planner planner, Map<String, Object> properties) { planners.bind(planner, properties); }
 * void removePlanner(Planner planner, Map<String, Object> properties) { planners.unbind(planner, properties); }
 * }</pre>
 *
 * @param <S> the service type
 */
public final class ServicesById<S> {
    private final Map<String, S> byId = new ConcurrentHashMap<>();
    private final String idProperty;
    private final Function<? super S, String> ownId;

    /**
     * @param idProperty the registration property that carries the id (e.g. {@code Planner.ID})
     * @param ownId      the id a service gives itself, used when it was registered without the property
     */
    public ServicesById(String idProperty, Function<? super S, String> ownId) {
        this.idProperty = Objects.requireNonNull(idProperty, "idProperty");
        this.ownId = Objects.requireNonNull(ownId, "ownId");
    }

    /** A service arrived; a later one with the same id takes the id over. */
    public void bind(S service, Map<String, ?> properties) {
        byId.put(idOf(service, properties), service);
    }

    /** A service left; the id stays with another service that has taken it over since (compared by identity). */
    public void unbind(S service, Map<String, ?> properties) {
        byId.computeIfPresent(idOf(service, properties), (id, bound) -> bound == service ? null : bound);
    }

    /** The service with this id, if one is bound. */
    public Optional<S> find(String id) {
        return id == null ? Optional.empty() : Optional.ofNullable(byId.get(id));
    }

    /** The ids bound now, sorted. */
    public List<String> ids() {
        return byId.keySet().stream().sorted().toList();
    }

    /** Whether none is bound. */
    public boolean isEmpty() {
        return byId.isEmpty();
    }

    private String idOf(S service, Map<String, ?> properties) {
        Object id = properties == null ? null : properties.get(idProperty);
        return id != null ? id.toString() : ownId.apply(service);
    }
}
