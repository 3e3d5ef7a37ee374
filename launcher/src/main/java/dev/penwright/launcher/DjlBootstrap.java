package dev.penwright.launcher;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads PyTorch through DJL on the main thread, before any bundle exists. A JVM binds a native library to one class
 * loader, and DJL caches its engine in a static field found through the thread context class loader: doing it here,
 * once, on the application class loader is what lets bundles come and go and call DJL from any thread.
 */
final class DjlBootstrap {
    private static final Logger LOG = LoggerFactory.getLogger(DjlBootstrap.class);

    private DjlBootstrap() {
    }

    static String initialise() {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        Engine engine = Engine.getEngine("PyTorch");
        try (NDManager manager = engine.newBaseManager()) {
            // One real op, so that the native library is loaded now rather than on a request thread.
            manager.ones(new ai.djl.ndarray.types.Shape(2, 2)).matMul(manager.ones(new ai.djl.ndarray.types.Shape(2, 2)));
        }
        ai.djl.huggingface.tokenizers.jni.LibUtils.checkStatus();
        String description = engine.getEngineName() + " " + engine.getVersion() + " (DJL " + Engine.getDjlVersion()
                + ", " + (engine.getGpuCount() > 0 ? engine.getGpuCount() + " GPU" : "CPU") + ")";
        LOG.info("Engine ready: {}", description);
        return description;
    }
}
