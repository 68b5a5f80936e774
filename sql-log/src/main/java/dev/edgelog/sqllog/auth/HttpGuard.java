package dev.edgelog.sqllog.auth;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.util.Locale;

/**
 * The one rule every edgelog listener applies before a handler runs: the request's credentials
 * must carry the endpoint's scope. Gives the refusal to send (401 with a challenge, or 403), or
 * null when the request may go on.
 */
public final class HttpGuard {

    /** What to answer instead of the endpoint. */
    public record Refusal(int status, String message) {
    }

    private HttpGuard() {
    }

    /**
     * Checks {@code ex} against {@code credentials} (null: an open listener, everything allowed).
     * On a 401 it also sets the {@code WWW-Authenticate} challenge.
     */
    public static Refusal check(Credentials credentials, HttpServerExchange ex, Scope scope) {
        if (credentials == null) {
            return null;
        }
        return switch (credentials.check(ex.getRequestHeaders().getFirst(Headers.AUTHORIZATION), scope)) {
            case ALLOWED -> null;
            case FORBIDDEN -> new Refusal(403, "these credentials lack the " + scope.name().toLowerCase(Locale.ROOT)
                    + " scope");
            case UNAUTHENTICATED -> {
                ex.getResponseHeaders().put(Headers.WWW_AUTHENTICATE, "Bearer realm=\"edgelog\", Basic realm=\"edgelog\"");
                yield new Refusal(401, "authentication required");
            }
        };
    }
}
