package io.kinesisha.cli.control;

import io.kinesisha.cli.ConfigOptions;
import io.kinesisha.common.config.ReplicationPairConfig;
import io.kinesisha.controller.operations.PairContext;
import java.time.Clock;

/** Opens the pair named by {@code --config}/{@code --set} as this operator ({@code cli:<user>} in the audit trail). */
final class ControlSession {
    private ControlSession() {}

    static PairContext open(ConfigOptions options) {
        ReplicationPairConfig config = options.load();
        return PairContext.open(config, "cli:" + System.getProperty("user.name", "unknown"), Clock.systemUTC());
    }

    /** The record must exist for every control command but the controller; says how to create it otherwise. */
    static void requireRecord(PairContext ctx) {
        try {
            if (ctx.store().read(ctx.pair()).isEmpty()) {
                throw new IllegalStateException("pair '" + ctx.pair() + "' has no control record in table "
                        + ctx.store().table() + ": start the replicator once (./kinesis-ha replicate) to create it");
            }
        } catch (software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException e) {
            throw new IllegalStateException(
                    "control table " + ctx.store().table() + " does not exist (check "
                            + "control.table-name and control.endpoint)",
                    e);
        }
    }
}
