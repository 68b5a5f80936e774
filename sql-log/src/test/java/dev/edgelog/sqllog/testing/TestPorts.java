package dev.edgelog.sqllog.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free ports on 127.0.0.1 for servers a test starts. Binding to port 0 and closing hands out a
 * port from the kernel's ephemeral range, which any outgoing connection (a Raft client, an HTTP
 * client) may take before the server binds it. These come from below that range
 * ({@code ip_local_port_range} starts at 32768 by default), are checked bindable, and are never
 * handed out twice in one JVM.
 */
public final class TestPorts {

    private static final int LOW = 20_000;
    private static final int HIGH = 32_000;
    private static final Set<Integer> GIVEN = ConcurrentHashMap.newKeySet();

    private TestPorts() {
    }

    public static int free() throws IOException {
        for (int attempt = 0; attempt < 1_000; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(LOW, HIGH);
            if (!GIVEN.add(port)) {
                continue;
            }
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                s.setReuseAddress(true);
                return port;
            } catch (IOException inUse) {
                // taken by someone else: try another
            }
        }
        throw new IOException("no free port in " + LOW + ".." + HIGH + " after 1000 attempts");
    }
}
