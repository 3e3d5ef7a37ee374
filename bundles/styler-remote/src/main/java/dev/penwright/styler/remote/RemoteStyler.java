package dev.penwright.styler.remote;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;

import dev.penwright.api.generate.GenerationException;
import dev.penwright.api.generate.GenerationOptions;
import dev.penwright.api.style.StyleDescriptor;
import dev.penwright.api.style.StylePack;
import dev.penwright.api.style.StyleRequest;
import dev.penwright.api.style.StyledText;
import dev.penwright.api.style.Styler;
import dev.penwright.api.style.TokenListener;

/**
 * Renders plans on a remote multi-LoRA server: the prompt is made here with the pack's template and defaults (so a
 * remote rendering reads the same prompt as a local one), the adapter is held for the request, and the answer is
 * streamed back. At most {@code maxConcurrent} requests are in flight; a failure before any text arrived is retried,
 * then falls back to the local engine if so configured, else becomes a JSON error with a code. Plain Java, so tests
 * drive it against a real server.
 */
public final class RemoteStyler implements Styler, AutoCloseable {
    private final RemoteSettings settings;
    private final BackendClient client;
    private final Adapters adapters;
    private final Semaphore slots;
    private final ExecutorService workers;
    private final Supplier<Styler> local;

    /**
     * @param local the local engine's styler for the fallback, or null when there is none now
     */
    public RemoteStyler(RemoteSettings settings, ExecutorService workers, ExecutorService backendCalls,
                        ScheduledExecutorService timer, Supplier<Styler> local, Consumer<String> log) {
        this.settings = settings;
        this.client = new BackendClient(settings, timer);
        this.adapters = new Adapters(provisioner(), backendCalls, log);
        this.slots = new Semaphore(settings.maxConcurrent(), true);
        this.workers = workers;
        this.local = local;
    }

    public RemoteSettings settings() {
        return settings;
    }

    /** Whether this backend renders the pack (it is on the backend's base model). */
    public boolean serves(StylePack pack) {
        return pack != null && settings.baseModel().equals(pack.descriptor().baseModel());
    }

    public void packArrived(StylePack pack) {
        if (serves(pack)) {
            adapters.packArrived(pack);
        }
    }

    public void packLeft(StylePack pack) {
        if (serves(pack)) {
            adapters.packLeft(pack);
        }
    }

    /** Adapter names this node holds on the backend now. */
    public java.util.Set<String> adapters() {
        return adapters.held();
    }

    @Override
    public CompletionStage<StyledText> style(StyleRequest request, TokenListener listener) {
        CompletableFuture<StyledText> result = new CompletableFuture<>();
        if (request == null || request.plan() == null) {
            result.completeExceptionally(new GenerationException(GenerationException.INVALID_REQUEST,
                    "no plan to render"));
            return result;
        }
        if (request.pack() != null && !serves(request.pack())) {
            result.completeExceptionally(new GenerationException(GenerationException.INVALID_REQUEST, "style pack "
                    + request.pack().ref() + " is on base model '" + request.pack().descriptor().baseModel()
                    + "', which backend " + settings.name() + " does not serve"));
            return result;
        }
        TokenListener sink = listener == null ? TokenListener.NONE : listener;
        workers.execute(() -> run(request, sink, result));
        return result;
    }

    private void run(StyleRequest request, TokenListener listener, CompletableFuture<StyledText> result) {
        long deadline = System.nanoTime() + settings.timeout().toNanos();
        boolean[] started = {false};
        try {
            if (!slots.tryAcquire(settings.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                throw BackendFailure.timeout("had all " + settings.maxConcurrent() + " slots busy for "
                        + settings.timeout().toSeconds() + " s");
            }
            try {
                result.complete(render(request, listener, result, deadline, started));
            } finally {
                slots.release();
            }
        } catch (BackendFailure f) {
            Styler fallback = settings.localFallback() && !started[0] && local != null ? local.get() : null;
            if (fallback != null && !result.isDone()) {
                fallback.style(request, listener).whenComplete((r, e) -> {
                    if (e != null) {
                        result.completeExceptionally(e);
                    } else {
                        result.complete(r);
                    }
                });
            } else {
                result.completeExceptionally(f.toGenerationException(settings.name()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result.completeExceptionally(new GenerationException(GenerationException.UNAVAILABLE, "interrupted"));
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
        }
    }

    private StyledText render(StyleRequest request, TokenListener listener, CompletableFuture<StyledText> result,
                              long deadline, boolean[] started) throws InterruptedException {
        StylePack pack = request.pack();
        StyleDescriptor style = pack == null ? null : pack.descriptor();
        GenerationOptions options = BackendProtocol.options(style, request.options());
        String prompt = BackendProtocol.prompt(style, request.plan(), request.shots());
        Adapters.Lease lease = pack == null || settings.provisioning() == RemoteSettings.Provisioning.NONE ? null
                : adapters.lease(pack);
        try {
            for (int attempt = 0; ; attempt++) {
                BackendClient.Call call = null;
                try {
                    if (lease != null) {
                        await(lease.ready(), deadline, "provisioning adapter " + lease.name());
                    }
                    BackendClient.Call current = client.render(BackendProtocol.renderPath(settings.selection()),
                            body(pack, lease, prompt, options), listener);
                    call = current;
                    result.whenComplete((r, e) -> {
                        if (e != null) {
                            current.cancel(); // the pipeline gave up: so does the backend
                        }
                    });
                    BackendClient.Outcome o = await(current.result(), deadline, "rendering");
                    return new StyledText(o.text(), settings.baseModel(), pack == null ? "" : pack.ref(),
                            Math.max(0, o.promptTokens()), Math.max(0, o.completionTokens()), o.finishReason());
                } catch (BackendFailure f) {
                    started[0] = call != null && call.started();
                    if (!f.retryable || started[0] || attempt >= settings.retries() || System.nanoTime() > deadline) {
                        throw f;
                    }
                    // The backend lost the adapter (another node unloaded it, it restarted) or never got it.
                    if (lease != null && (f.adapterMissing || lease.ready().isCompletedExceptionally())) {
                        lease = adapters.reprovision(lease);
                    }
                    Thread.sleep(Math.min(2000, 100L << attempt));
                }
            }
        } finally {
            if (lease != null) {
                adapters.release(lease);
            }
        }
    }

    /** The request body; the adapter is named as the backend knows it. */
    private Map<String, Object> body(StylePack pack, Adapters.Lease lease, String prompt, GenerationOptions options) {
        String adapter = null;
        boolean localSource = false;
        if (pack != null) {
            adapter = lease == null ? pack.descriptor().id() : lease.name();
            if (settings.selection() == RemoteSettings.Selection.ADAPTER_ID
                    && settings.provisioning() == RemoteSettings.Provisioning.SHARED_DIR) {
                adapter = settings.backendDir() + "/" + lease.name();
                localSource = true;
            }
        }
        return BackendProtocol.renderBody(settings.selection(), settings.baseModel(), adapter, localSource, prompt,
                options, true);
    }

    private <T> T await(CompletableFuture<T> future, long deadline, String what) throws InterruptedException {
        try {
            return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw BackendFailure.timeout("did not finish " + what + " within " + settings.timeout().toSeconds()
                    + " s");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof BackendFailure f) {
                throw f;
            }
            if (cause instanceof GenerationException g) {
                throw new BackendFailure(g.code(), g.getMessage(), false, false, g);
            }
            throw BackendFailure.transport(cause, false);
        }
    }

    /** Provisioning as configured: the load API (from the shared folder when there is one), a copy, or nothing. */
    private Adapters.Provisioner provisioner() {
        return new Adapters.Provisioner() {
            @Override
            public void provision(String name, Path folder) {
                String path = folder.toAbsolutePath().toString();
                if (settings.sharedDir() != null) {
                    Adapters.copyInto(settings.sharedDir(), name, folder);
                    path = settings.backendDir() + "/" + name;
                }
                if (settings.provisioning() != RemoteSettings.Provisioning.LOAD_API) {
                    return;
                }
                HttpResponse<String> r = client.post("/v1/load_lora_adapter", BackendProtocol.loadBody(name, path));
                // A 400 "already been loaded" is the idempotent case: the name is content-addressed.
                if (r.statusCode() != 200 && !(r.statusCode() == 400 && r.body().contains("already"))) {
                    throw BackendFailure.of(r.statusCode(), "loading adapter " + name + ": "
                            + BackendProtocol.errorMessage(r.body(), BackendClient.JSON));
                }
            }

            @Override
            public void unprovision(String name) {
                if (settings.provisioning() != RemoteSettings.Provisioning.LOAD_API) {
                    return; // shared copies stay: other nodes may render with them, and they are content-addressed
                }
                HttpResponse<String> r = client.post("/v1/unload_lora_adapter", BackendProtocol.unloadBody(name));
                if (r.statusCode() != 200 && r.statusCode() != 404) {
                    throw BackendFailure.of(r.statusCode(), "unloading adapter " + name + ": "
                            + BackendProtocol.errorMessage(r.body(), BackendClient.JSON));
                }
            }
        };
    }

    @Override
    public void close() {
        // The executors belong to the component, which shuts them down.
    }
}
