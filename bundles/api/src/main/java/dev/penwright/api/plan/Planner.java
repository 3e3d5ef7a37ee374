package dev.penwright.api.plan;

import org.osgi.annotation.versioning.ConsumerType;

/** Turns material into a style-neutral content plan. Registered as a service with the property {@link #ID}. */
@ConsumerType
public interface Planner {
    /** Service property naming the planner, chosen per request. */
    String ID = "penwright.planner.id";

    String id();

    ContentPlan plan(Material material) throws PlanningException;
}
