package io.kinesisha.testkit;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import java.net.URI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DynamoDB Local on a free loopback port, in this JVM: the control store that both emulated regions share,
 * standing in for a global table (one shared database, so every region sees one linearizable table).
 */
final class ControlStoreServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ControlStoreServer.class);

    private DynamoDBProxyServer server;
    private int port;

    ControlStoreServer() {
        Exception last = null;
        for (int attempt = 1; attempt <= 5; attempt++) {
            int candidate = FreePorts.next();
            DynamoDBProxyServer started = null;
            java.io.PrintStream stdout = System.out;
            try {
                // DynamoDB Local prints a banner on stdout, which belongs to the command's output (--output json)
                System.setOut(System.err);
                started = ServerRunner.createServerFromCommandLineArgs(new String[] {
                    "-inMemory", "-sharedDb", "-disableTelemetry", "-port", Integer.toString(candidate)
                });
                started.start();
                System.setOut(stdout);
                this.server = started;
                this.port = candidate;
                LOG.info("DynamoDB Local (control store) up on 127.0.0.1:{}", port);
                return;
            } catch (Exception e) {
                // another process took the port between the probe and the bind: try another one
                System.setOut(stdout);
                last = e;
                LOG.warn(
                        "DynamoDB Local could not start on port {} (attempt {}): {}",
                        candidate,
                        attempt,
                        e.getMessage());
                stopQuietly(started);
            }
        }
        throw new IllegalStateException("cannot start DynamoDB Local: " + last.getMessage(), last);
    }

    private static void stopQuietly(DynamoDBProxyServer server) {
        if (server == null) {
            return;
        }
        try {
            server.stop();
        } catch (Exception e) {
            LOG.debug("DynamoDB Local stop after a failed start: {}", e.toString());
        }
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            LOG.warn("DynamoDB Local did not stop cleanly: {}", e.toString());
        }
    }
}
