package io.kinesisha.common.local;

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

    private final DynamoDBProxyServer server;
    private final int port;

    ControlStoreServer() {
        this.port = FreePorts.next();
        try {
            this.server = ServerRunner.createServerFromCommandLineArgs(new String[] {
                "-inMemory", "-sharedDb", "-disableTelemetry", "-port", Integer.toString(port)});
            server.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start DynamoDB Local on port " + port + ": " + e.getMessage(), e);
        }
        LOG.info("DynamoDB Local (control store) up on 127.0.0.1:{}", port);
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
