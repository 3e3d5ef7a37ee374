package dev.penwright.planner.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.util.tracker.ServiceTracker;

import dev.penwright.api.cli.Subcommand;
import dev.penwright.api.plan.ContentPlan;
import dev.penwright.api.plan.Material;
import dev.penwright.api.plan.Planner;
import dev.penwright.planner.llm.ChatCompletionsServer.Step;

/**
 * The built planner-llm bundle in a real Felix framework with nothing but SCR, Config Admin, Jackson and the
 * extractive planner: it resolves, a factory configuration makes a planner service with the configured id, the
 * planner talks to a real HTTP endpoint from inside OSGi (no ServiceLoader or context class loader trouble), the
 * fallback reaches the extractive planner across bundles, and {@code pen:plan}'s Subcommand finds LLM planners.
 */
class LlmPlannerBundleIT {
    private static final String GOOD = """
            {"title": "Kettle", "summary": "A kettle that boils 1.7 litres.", "keyFacts": ["It boils 1.7 litres"],
             "neutralDraft": "The kettle boils 1.7 litres.", "language": "en"}""";
    private static final Material MATERIAL = new Material("Describe the kettle. It boils 1.7 litres in 3 minutes.",
            List.of(), "", "");

    private Framework framework;
    private ChatCompletionsServer server;

    @BeforeEach
    void start(@TempDir Path storage) throws Exception {
        server = new ChatCompletionsServer();
        Map<String, String> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, storage.toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        // The api comes from the test's class path, so the test and the bundles share Planner and friends.
        config.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA,
                "dev.penwright.api.plan;version=1.1.0,dev.penwright.api.cli;version=1.0.0,dev.penwright.api.llm;version=1.0.0,"
                        + "dev.penwright.api.service;version=1.0.0,"
                        // planner-extractive's plan command asks the pipeline (GenerationService) for its default planner.
                        + "dev.penwright.api.generate;version=1.4.0");
        framework = ServiceLoader.load(FrameworkFactory.class).findFirst().orElseThrow().newFramework(config);
        framework.start();
        BundleContext context = framework.getBundleContext();
        List<Bundle> bundles = new ArrayList<>();
        List<Path> jars;
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("penwright.it.bundles")))) {
            jars = new ArrayList<>(s.sorted().toList());
        }
        jars.add(Path.of(System.getProperty("penwright.it.bundle")));
        for (Path jar : jars) {
            bundles.add(context.installBundle(jar.toUri().toString()));
        }
        for (Bundle b : bundles) {
            b.start();
        }
    }

    @AfterEach
    void stop() throws Exception {
        framework.stop();
        framework.waitForStop(10_000);
        server.close();
    }

    private Bundle bundle(String symbolicName) {
        for (Bundle b : framework.getBundleContext().getBundles()) {
            if (b.getSymbolicName().equals(symbolicName)) {
                return b;
            }
        }
        throw new AssertionError("no bundle " + symbolicName);
    }

    /** Config Admin's classes are the framework's, not the test's: reach it reflectively. */
    private void configure(String name, Map<String, Object> properties) throws Exception {
        BundleContext context = framework.getBundleContext();
        ServiceReference<?> ref = context.getServiceReference("org.osgi.service.cm.ConfigurationAdmin");
        assertNotNull(ref, "Config Admin is not running");
        Object admin = context.getService(ref);
        Object configuration = admin.getClass().getMethod("getFactoryConfiguration", String.class, String.class,
                String.class).invoke(admin, LlmPlannerComponent.PID, name, "?");
        Dictionary<String, Object> dict = new Hashtable<>(properties);
        configuration.getClass().getMethod("update", Dictionary.class).invoke(configuration, dict);
    }

    private Planner awaitPlanner(String id) throws Exception {
        BundleContext context = framework.getBundleContext();
        ServiceTracker<Planner, Planner> tracker = new ServiceTracker<>(context,
                context.createFilter("(&(objectClass=" + Planner.class.getName() + ")(" + Planner.ID + "=" + id + "))"),
                null);
        tracker.open();
        Planner planner = tracker.waitForService(10_000);
        assertNotNull(planner, "no planner '" + id + "' registered");
        return planner;
    }

    @Test
    void resolvesAndPlansThroughARealEndpointInsideOsgi() throws Exception {
        Bundle llm = bundle("dev.penwright.planner-llm");
        assertEquals(Bundle.ACTIVE, llm.getState(), "planner-llm did not start");
        assertEquals(Bundle.ACTIVE, bundle("dev.penwright.planner-extractive").getState());

        server.then(Step.reply(GOOD));
        configure("it", Map.of("id", "it", "baseUrl", server.openAiBaseUrl(), "model", "m", "apiKey", "sk-it"));
        Planner planner = awaitPlanner("it");
        // The service object comes from the bundle's class loader, not the test's.
        assertEquals(llm, FrameworkUtil.getBundle(planner.getClass()));
        ContentPlan plan = planner.plan(MATERIAL);
        assertEquals("it", plan.plannerId());
        assertEquals(List.of("It boils 1.7 litres"), plan.keyFacts());
        assertEquals(ChatCompletionsServer.PROMPT_TOKENS, plan.usage().inputTokens());

        // The same configuration's endpoint as plain chat (the benchmark's LLM row), working inside OSGi too.
        ServiceTracker<dev.penwright.api.llm.LlmEndpoint, dev.penwright.api.llm.LlmEndpoint> endpoints =
                new ServiceTracker<>(framework.getBundleContext(), framework.getBundleContext().createFilter(
                        "(&(objectClass=dev.penwright.api.llm.LlmEndpoint)(penwright.llm.id=it))"), null);
        endpoints.open();
        dev.penwright.api.llm.LlmEndpoint endpoint = endpoints.waitForService(10_000);
        assertNotNull(endpoint, "no LlmEndpoint 'it' registered");
        server.then(Step.reply("A kettle, written up."));
        assertEquals("A kettle, written up.", endpoint.chat("", "Write it up.", 50));
        endpoints.close();
        server.then(Step.reply(GOOD)); // the script's last answer repeats: planning answers follow again

        // The plan subcommand (pen:plan, ./penwright plan) sees the LLM planner.
        ServiceReference<Subcommand> ref = framework.getBundleContext()
                .getServiceReferences(Subcommand.class, "(" + Subcommand.NAME + "=plan)").iterator().next();
        Subcommand command = framework.getBundleContext().getService(ref);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = command.run(List.of("--planner", "it", "--json", "Describe the kettle."),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("\"plannerId\" : \"it\""), out.toString());
    }

    @Test
    void invalidOutputFallsBackToTheExtractiveBundle() throws Exception {
        server.then(Step.reply("I cannot answer in JSON."));
        configure("fb", Map.of("id", "fb", "baseUrl", server.openAiBaseUrl(), "model", "m", "maxRetries", "1",
                "onInvalid", "fallback"));
        ContentPlan plan = awaitPlanner("fb").plan(MATERIAL);
        assertEquals("extractive", plan.plannerId());
        assertTrue(plan.keyFacts().stream().anyMatch(f -> f.contains("1.7 litres")), plan.keyFacts()::toString);
        assertEquals(2L * ChatCompletionsServer.PROMPT_TOKENS, plan.usage().inputTokens());
        assertEquals(2, server.requests().size());
    }
}
