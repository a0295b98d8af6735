package io.kinesisha.common.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.kinesisha.common.control.DeliveryLog.Status;
import io.kinesisha.testkit.LocalEnvironmentExtension;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** A delivery acts once; a failed or abandoned one may be claimed again, and only its owner records its outcome. */
class DeliveryLogTest {
    private static final Instant NOW = Instant.parse("2026-11-22T00:00:00Z");
    private static final Duration ABANDONED = Duration.ofMinutes(5);
    private static final String KEY = "arn:aws:cloudwatch:us-west-2:111111111111:alarm:a#ALARM#2026-11-22T00:00:00Z";

    @RegisterExtension
    static final LocalEnvironmentExtension LOCAL = new LocalEnvironmentExtension("us-west-2");

    @Test
    void claimsOnceAgainAfterAFailureAndTakesOverAnAbandonedClaim() {
        try (DynamoDbClient dynamo = LOCAL.env().clients().dynamoDb(LOCAL.env().controlStoreTarget("us-west-2"))) {
            new ControlStore(dynamo, "delivery-log-test").createTableIfMissing();
            DeliveryLog log = new DeliveryLog(dynamo, "delivery-log-test");

            assertThat(log.status("p", KEY)).isNull();
            assertThat(log.claim("p", KEY, "first", NOW, ABANDONED)).isTrue();
            assertThat(log.claim("p", KEY, "second", NOW.plusSeconds(1), ABANDONED))
                    .as("running elsewhere")
                    .isFalse();
            assertThat(log.finish("p", KEY, "first", Status.FAILED, NOW.plusSeconds(2)))
                    .isTrue();
            assertThat(log.claim("p", KEY, "retry", NOW.plusSeconds(3), ABANDONED))
                    .as("after a failure")
                    .isTrue();
            assertThat(log.finish("p", KEY, "first", Status.DONE, NOW.plusSeconds(4)))
                    .as("not the owner any more")
                    .isFalse();
            assertThat(log.finish("p", KEY, "retry", Status.DONE, NOW.plusSeconds(4)))
                    .isTrue();
            assertThat(log.claim("p", KEY, "late", NOW.plusSeconds(3600), ABANDONED))
                    .as("done: a duplicate")
                    .isFalse();
            assertThat(log.status("p", KEY)).isEqualTo(Status.DONE);

            String other = KEY + "-2";
            assertThat(log.claim("p", other, "dies", NOW, ABANDONED)).isTrue();
            assertThat(log.claim("p", other, "too-soon", NOW.plus(ABANDONED).minusMillis(1), ABANDONED))
                    .isFalse();
            assertThat(log.claim("p", other, "takes-over", NOW.plus(ABANDONED).plusMillis(1), ABANDONED))
                    .isTrue();
            assertThat(log.status("p", other)).isEqualTo(Status.RUNNING);
        }
    }
}
