package dev.edgelog.sqllog.config;

import java.nio.file.Path;

/** The {@code tls:} key of a role that serves an API: PEM files, relative to the config file. */
public record TlsSection(String certFile, String keyFile, String caFile) {

    /** The files as paths; {@code ca_file} is required only when {@code needCa}. */
    public record Files(Path certFile, Path keyFile, Path caFile) {
    }

    /** Null when {@code section} is null (plain HTTP). */
    public static Files resolve(Path configFile, TlsSection section, boolean needCa) {
        if (section == null) {
            return null;
        }
        return new Files(YamlConfig.resolve(configFile, YamlConfig.require(section.certFile(), "tls.cert_file")),
                YamlConfig.resolve(configFile, YamlConfig.require(section.keyFile(), "tls.key_file")),
                YamlConfig.resolve(configFile, needCa ? YamlConfig.require(section.caFile(), "tls.ca_file")
                        : section.caFile()));
    }
}
