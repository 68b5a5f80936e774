package dev.edgelog.sqllog.config;

import dev.edgelog.sqllog.auth.Credentials;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The {@code auth:} key of a role that serves an API: rqlite's users file and/or a bearer-token
 * file, relative to the config file.
 */
public record AuthSection(String usersFile, String tokensFile) {

    /** The credentials, or null when {@code section} is null (an open listener). */
    public static Credentials load(Path configFile, AuthSection section) throws IOException {
        if (section == null) {
            return null;
        }
        return Credentials.load(YamlConfig.resolve(configFile, section.usersFile()),
                YamlConfig.resolve(configFile, section.tokensFile()));
    }
}
