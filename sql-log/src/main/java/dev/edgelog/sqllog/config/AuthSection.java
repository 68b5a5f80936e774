package dev.edgelog.sqllog.config;

import dev.edgelog.sqllog.auth.Credentials;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code auth:} key of a role that serves an API: rqlite's users file and/or a bearer-token
 * file, relative to the config file.
 */
public record AuthSection(String usersFile, String tokensFile) {

    /**
     * The credentials, or null when {@code section} is null (an open listener).
     *
     * @throws IllegalArgumentException naming the key ({@code auth.users_file},
     *                                  {@code auth.tokens_file}) when a file is missing or wrong
     */
    public static Credentials load(Path configFile, AuthSection section) throws IOException {
        if (section == null) {
            return null;
        }
        Path users = existing(configFile, section.usersFile(), "auth.users_file");
        Path tokens = existing(configFile, section.tokensFile(), "auth.tokens_file");
        if (users == null && tokens == null) {
            throw new IllegalArgumentException("auth needs auth.users_file, auth.tokens_file or both");
        }
        try {
            return Credentials.load(users, tokens);
        } catch (IllegalArgumentException e) {
            // Credentials names the file first; say which key points at it
            String key = users != null && e.getMessage().startsWith(users.toString()) ? "auth.users_file"
                    : tokens != null && e.getMessage().startsWith(tokens.toString()) ? "auth.tokens_file" : "auth";
            throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
        }
    }

    private static Path existing(Path configFile, String file, String key) {
        Path p = YamlConfig.resolve(configFile, file);
        if (p != null && (!Files.isRegularFile(p) || !Files.isReadable(p))) {
            throw new IllegalArgumentException(key + ": " + p + " is not a readable file");
        }
        return p;
    }
}
