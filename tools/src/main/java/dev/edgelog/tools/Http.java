package dev.edgelog.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The few HTTP calls the tools make: JSON GETs and POSTs with short timeouts and an optional token. */
public final class Http {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final String token;

    public Http(String token) {
        this.token = token;
    }

    /** The JSON body of {@code GET url}. */
    public JsonNode getJson(String url) throws IOException, InterruptedException {
        HttpResponse<String> r = client.send(request(url).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException(url + " answered " + r.statusCode() + ": " + r.body().strip());
        }
        return JSON.readTree(r.body());
    }

    /** The status code of {@code GET url}, or -1 when it cannot be reached. */
    public int status(String url) {
        try {
            return client.send(request(url).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** {@code POST url} with a JSON body; the answer's status and body. */
    public HttpResponse<String> post(String url, String json) throws IOException, InterruptedException {
        return client.send(request(url).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder request(String url) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }
}
