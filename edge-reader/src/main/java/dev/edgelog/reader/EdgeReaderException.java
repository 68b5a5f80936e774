package dev.edgelog.reader;

/**
 * The root of the errors an {@link EdgeReader} raises outside JDBC: the state table could not be read
 * (I/O, permissions, a WAL database whose {@code -shm} file is missing in a directory the reader cannot
 * write, a corrupt file). Unchecked, as in the rest of edgelog: the caller decides whether that stops a
 * health check or the process. Every read is side-effect free, so retrying is always safe.
 *
 * <p>Errors that reach callers through {@link javax.sql.DataSource#getConnection()} are
 * {@link java.sql.SQLException}s instead ({@link StaleDataException} for the staleness guard), because
 * that is the contract JDBC code and frameworks handle.
 */
public class EdgeReaderException extends RuntimeException {

    public EdgeReaderException(String message) {
        super(message);
    }

    public EdgeReaderException(String message, Throwable cause) {
        super(message, cause);
    }
}
