package dev.edgelog.sqllog.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Reading a role's YAML configuration the same way for every role: snake_case keys mapped onto a
 * record, an unknown key or a wrong type an error naming the key and the line, file paths inside
 * relative to the file.
 */
public final class YamlConfig {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private YamlConfig() {
    }

    /**
     * Reads {@code path} into {@code type}.
     *
     * @throws IllegalArgumentException naming the file, the key and the line on an unknown key, a
     *                                  wrong type, or an empty file
     */
    public static <T> T read(Path path, Class<T> type) throws IOException {
        T value;
        try {
            value = YAML.readValue(Files.readAllBytes(path), type);
        } catch (UnrecognizedPropertyException e) {
            throw new IllegalArgumentException(path + ": unknown key '" + e.getPropertyName() + "'" + location(e)
                    + "; known keys: " + e.getKnownPropertyIds());
        } catch (JsonMappingException e) {
            throw new IllegalArgumentException(path + ": " + e.getOriginalMessage() + location(e));
        }
        if (value == null) {
            throw new IllegalArgumentException(path + ": the file is empty");
        }
        return value;
    }

    private static String location(JsonMappingException e) {
        return e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
    }

    /** {@code file} resolved against the config file's directory; null stays null. */
    public static Path resolve(Path configFile, String file) {
        return file == null ? null : configFile.toAbsolutePath().getParent().resolve(file);
    }

    /** The stripped text of a secret file (a bearer token), which must not be empty. */
    public static String secret(Path configFile, String file, String key) throws IOException {
        if (file == null) {
            return null;
        }
        Path path = resolve(configFile, file);
        String s;
        try {
            s = Files.readString(path, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new IllegalArgumentException(configFile + ": " + key + " " + path + " is not a readable file ("
                    + e.getClass().getSimpleName() + ")", e);
        }
        if (s.isEmpty()) {
            throw new IllegalArgumentException(configFile + ": " + key + " " + file + " is empty");
        }
        return s;
    }

    /** {@code value}, or {@code fallback} when the key was absent. */
    public static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }

    /** Milliseconds as a duration, or {@code fallback} when the key was absent. */
    public static Duration millis(Long value, Duration fallback) {
        return value != null ? Duration.ofMillis(value) : fallback;
    }

    /** {@code value}, which is required. */
    public static <T> T require(T value, String key) {
        if (value == null) {
            throw new IllegalArgumentException(key + " is required");
        }
        return value;
    }

    /** A list of upstream URLs ({@code http(s)://host:port}), which is required and not empty. */
    public static List<URI> upstreams(List<String> urls, String key) {
        if (urls == null || urls.isEmpty()) {
            throw new IllegalArgumentException(key + " is required (primary nodes or mirrors, preferred first)");
        }
        return urls.stream().map(s -> {
            URI u;
            try {
                u = URI.create(s.strip());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(key + ": " + s + " is not a URL");
            }
            if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
                throw new IllegalArgumentException(key + ": " + s + " is not an http(s)://host:port URL");
            }
            return u;
        }).toList();
    }

    /** Checks a {@code host:port} listen address. */
    public static String hostPort(String address, String key) {
        int colon = address.lastIndexOf(':');
        if (colon < 1) {
            throw new IllegalArgumentException(key + " must be host:port, was " + address);
        }
        try {
            int port = Integer.parseInt(address.substring(colon + 1));
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be host:port with a port 0..65535, was " + address);
        }
        return address;
    }
}
