package dev.edgelog.primary.http;

/** A request refused before it reached the log: the HTTP layer answers {@link #status()} with the message. */
public final class BadRequestException extends RuntimeException {

    private final int status;

    public BadRequestException(String message) {
        this(400, message);
    }

    public BadRequestException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
