package dev.penwright.planner.llm;

import java.io.IOException;
import java.util.Hashtable;
import java.util.Map;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;

import dev.penwright.api.llm.LlmEndpoint;
import dev.penwright.api.plan.Planner;

/**
 * One component per factory configuration of {@value #PID}. It registers its {@link LlmPlanner} itself, because
 * the service property {@value Planner#ID} must carry the configured id (the configuration's key is {@code id}).
 * The extractive planner is referenced optionally and dynamically: it is needed only for fallback. The same
 * configuration also registers its endpoint as an {@link LlmEndpoint} (plain chat, under the same id).
 */
@Component(configurationPid = LlmPlannerComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {})
@Designate(ocd = LlmPlannerConfig.class, factory = true)
public class LlmPlannerComponent {
    static final String PID = "dev.penwright.planner.llm";
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LlmPlannerComponent.class);

    @Reference(target = "(" + Planner.ID + "=extractive)", cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile Planner extractive;

    private ServiceRegistration<Planner> registration;
    private ServiceRegistration<LlmEndpoint> endpoint;

    @Activate
    void activate(BundleContext context, Map<String, Object> properties) {
        PlannerSettings settings;
        try {
            settings = PlannerSettings.fromProperties(properties, System::getenv);
        } catch (IllegalArgumentException | IOException e) {
            // A bad configuration is the user's to fix: one clear line, no stack trace, and no planner.
            LOG.error("LLM planner configuration {} is invalid, so no planner is "
                    + "registered for it: {}", properties.get("service.pid"), e.getMessage());
            return;
        }
        LlmPlanner planner = new LlmPlanner(settings, ChatModels.create(settings), () -> extractive);
        Hashtable<String, Object> serviceProperties = new Hashtable<>();
        serviceProperties.put(Planner.ID, settings.id());
        serviceProperties.put("penwright.planner.provider", settings.provider().name().toLowerCase());
        serviceProperties.put("penwright.planner.model", settings.model());
        registration = context.registerService(Planner.class, planner, serviceProperties);
        // The same endpoint as plain chat, for the benchmark's LLM few-shot row and LLM judges.
        Hashtable<String, Object> endpointProperties = new Hashtable<>();
        endpointProperties.put(LlmEndpoint.ID, settings.id());
        endpointProperties.put("penwright.planner.model", settings.model());
        endpoint = context.registerService(LlmEndpoint.class, new LlmChat(settings), endpointProperties);
        LOG.info("LLM planner registered: {}", settings);
    }

    @Deactivate
    void deactivate() {
        if (endpoint != null) {
            endpoint.unregister();
            endpoint = null;
        }
        if (registration != null) {
            registration.unregister();
            registration = null;
        }
    }
}
