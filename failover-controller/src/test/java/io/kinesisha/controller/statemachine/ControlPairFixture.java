package io.kinesisha.controller.statemachine;

import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.common.control.ControlStore;
import io.kinesisha.testkit.LocalEnvironmentExtension;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The state machine's tests against a real control store: DynamoDB Local of a local environment for the class and,
 * for each test, a fresh pair whose initial record (active {@link #PRIMARY}) was written at {@code createdAt}. Each
 * {@link #store(String)} is its own client, as controllers in two regions have; they are closed after the test.
 */
final class ControlPairFixture implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
    static final String PRIMARY = "us-west-2";
    static final String SECONDARY = "us-east-2";

    private final LocalEnvironmentExtension local = new LocalEnvironmentExtension(PRIMARY);
    private final String prefix;
    private final Instant createdAt;
    private final List<DynamoDbClient> clients = new ArrayList<>();
    private String pair;

    /** Pairs named {@code <prefix>-<random>}, created at {@code createdAt}. */
    ControlPairFixture(String prefix, Instant createdAt) {
        this.prefix = prefix;
        this.createdAt = createdAt;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        local.beforeAll(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        pair = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        ControlStore store = store(PRIMARY);
        store.createTableIfMissing();
        if (!store.create(ControlRecord.initial(pair, PRIMARY, SECONDARY, createdAt))) {
            throw new IllegalStateException("the control record of the fresh pair " + pair + " exists already");
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        clients.forEach(DynamoDbClient::close);
        clients.clear();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        local.afterAll(context);
    }

    /** This test's pair. */
    String pair() {
        return pair;
    }

    /** The pair's control table through a new client of {@code region}'s endpoint. */
    ControlStore store(String region) {
        DynamoDbClient dynamo = local.env().clients().dynamoDb(local.env().controlStoreTarget(region));
        clients.add(dynamo);
        return new ControlStore(dynamo, "control-" + pair);
    }
}
