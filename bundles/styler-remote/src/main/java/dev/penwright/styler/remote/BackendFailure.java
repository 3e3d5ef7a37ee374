package dev.penwright.styler.remote;

import dev.penwright.api.generate.GenerationException;

/**
 * A backend call that failed, and whether trying again can help: refused connections, 5xx and 429 can; a timeout, an
 * answer that is not a completion, or a refusal of the request itself cannot. {@link #adapterMissing} marks a 404,
 * which a re-provisioned adapter may cure (another node unloaded it).
 */
final class BackendFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final String code;
    final boolean retryable;
    final boolean adapterMissing;

    BackendFailure(String code, String message, boolean retryable, boolean adapterMissing, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.retryable = retryable;
        this.adapterMissing = adapterMissing;
    }

    static BackendFailure of(int status, String message) {
        String text = "answered " + status + ": " + message;
        if (status == 404) {
            return new BackendFailure(GenerationException.BACKEND_FAILED, text, true, true, null);
        }
        return new BackendFailure(GenerationException.BACKEND_FAILED, text, status >= 500 || status == 429, false,
                null);
    }

    static BackendFailure garbage(String what) {
        return new BackendFailure(GenerationException.BACKEND_FAILED, "answered something that is not a completion ("
                + what + ")", false, false, null);
    }

    static BackendFailure timeout(String what) {
        return new BackendFailure(GenerationException.TIMEOUT, what, false, false, null);
    }

    /** A transport failure: refused or reset connections are worth a retry, a closed stream mid-answer is not. */
    static BackendFailure transport(Throwable t, boolean started) {
        while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof BackendFailure f) {
            return f;
        }
        if (t instanceof java.net.http.HttpConnectTimeoutException) {
            return new BackendFailure(GenerationException.BACKEND_FAILED, "is unreachable (connect timed out)", true,
                    false, t);
        }
        if (t instanceof java.net.http.HttpTimeoutException) {
            return timeout("sent no answer in time");
        }
        if (t instanceof java.net.ConnectException) {
            return new BackendFailure(GenerationException.BACKEND_FAILED, "is unreachable (connection refused)", true,
                    false, t);
        }
        String why = t.getClass().getSimpleName() + (t.getMessage() == null || t.getMessage().isBlank() ? ""
                : ": " + t.getMessage());
        return new BackendFailure(GenerationException.BACKEND_FAILED, started ? "broke off its answer (" + why + ")"
                : "failed (" + why + ")", !started, false, t);
    }

    GenerationException toGenerationException(String backend) {
        return new GenerationException(code, "rendering backend " + backend + " " + getMessage(), 0, this);
    }
}
