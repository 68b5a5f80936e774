package dev.edgelog.install;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The install tree as an operator gets it: {@code install.sh} into a staging root for each role
 * (with the jars this build packaged), the systemd units through {@code systemd-analyze verify},
 * and the example configs accepted by each role's own {@code --check}.
 */
class InstallIT {

    private static final Path INSTALL = Path.of("").toAbsolutePath();
    private static final Path SCRIPT = INSTALL.resolve("install.sh");

    @TempDir
    Path root;

    record Run(int exit, String out) {
    }

    private static Run run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command + " did not finish: " + out);
        }
        return new Run(p.exitValue(), out);
    }

    private Run install(String role, String... extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(SCRIPT.toString(), role, "--root", root.toString()));
        cmd.addAll(List.of(extra));
        return run(cmd);
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @ParameterizedTest
    @ValueSource(strings = {"primary", "mirror", "edge"})
    void when_aRoleIsInstalledIntoARoot_then_jarConfigDataUserAndEnabledUnitAreInPlace(String role) throws Exception {
        Run r = install(role);
        assertEquals(0, r.exit(), r.out());
        assertTrue(Files.size(root.resolve("opt/edgelog/edgelog-" + role + ".jar")) > 1_000_000);
        Path config = root.resolve("etc/edgelog/" + role + ".yaml");
        assertEquals(Files.readString(INSTALL.resolve("config/" + role + ".yaml")), Files.readString(config));
        assertEquals("rw-r-----", mode(config), "configs may name secrets");
        assertEquals("rwxr-x---", mode(root.resolve("var/lib/edgelog/" + role)));
        Path unit = root.resolve("etc/systemd/system/edgelog-" + role + ".service");
        assertEquals(Files.readString(INSTALL.resolve("systemd/edgelog-" + role + ".service")), Files.readString(unit));
        Path wants = root.resolve("etc/systemd/system/multi-user.target.wants/edgelog-" + role + ".service");
        assertEquals(Path.of("/etc/systemd/system/edgelog-" + role + ".service"), Files.readSymbolicLink(wants));
        assertTrue(Files.readString(root.resolve("usr/lib/sysusers.d/edgelog.conf")).startsWith("u edgelog "));
        assertTrue(Files.readString(root.resolve("usr/lib/tmpfiles.d/edgelog-" + role + ".conf"))
                .contains("d /var/lib/edgelog/" + role + " 0750 edgelog edgelog"));
        String text = Files.readString(unit);
        assertTrue(text.contains("User=edgelog") && text.contains("ProtectSystem=strict")
                && text.contains("ReadWritePaths=/var/lib/edgelog/" + role) && text.contains("Restart=on-failure")
                && text.contains("LimitNOFILE="), text);
    }

    @Test
    void when_installedAgain_then_theOperatorsConfigIsKept() throws Exception {
        assertEquals(0, install("edge").exit());
        Path config = root.resolve("etc/edgelog/edge.yaml");
        Files.writeString(config, "data_dir: /srv/edge\nupstreams: [\"http://m1:4201\"]\n");
        Run again = install("edge");
        assertEquals(0, again.exit(), again.out());
        assertTrue(again.out().contains("keeping the existing"), again.out());
        assertEquals("data_dir: /srv/edge\nupstreams: [\"http://m1:4201\"]\n", Files.readString(config));
    }

    @Test
    void when_theConfigIsInvalid_then_nothingIsInstalledAndTheKeyIsNamed() throws Exception {
        Path bad = Files.writeString(root.resolveSibling(root.getFileName() + "-bad.yaml"),
                "data_dir: /srv/edge\nupstreams: [\"http://m1:4201\"]\npoll_wait: 5\n");
        try {
            Run r = install("edge", "--config", bad.toString());
            assertEquals(1, r.exit(), r.out());
            assertTrue(r.out().contains("poll_wait"), r.out());
            assertFalse(Files.exists(root.resolve("opt/edgelog/edgelog-edge.jar")));
        } finally {
            Files.deleteIfExists(bad);
        }
        assertEquals(2, install("router").exit(), "an unknown role is refused");
    }

    @Test
    void when_systemdChecksTheUnits_then_itFindsNothingToSay() throws Exception {
        Run which = run(List.of("sh", "-c", "command -v systemd-analyze"));
        assertEquals(0, which.exit(), "systemd-analyze is needed for this test (Debian: apt-get install systemd;"
                + " .ci/run installs it)");
        for (String role : List.of("primary", "mirror", "edge")) {
            Run r = run(List.of("systemd-analyze", "verify", INSTALL.resolve("systemd/edgelog-" + role + ".service")
                    .toString()));
            assertEquals(0, r.exit(), role + ": " + r.out());
            assertEquals("", r.out().strip(), role + ": systemd-analyze warns: " + r.out());
        }
    }
}
