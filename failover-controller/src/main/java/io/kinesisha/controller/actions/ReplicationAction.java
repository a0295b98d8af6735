package io.kinesisha.controller.actions;

import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.controller.statemachine.Outcome;
import io.kinesisha.controller.statemachine.PairControl;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Changes who may replicate, and where traffic belongs, through the control record: a new direction (or none,
 * to fence) and/or a new active region in one conditional write that advances the epoch. The replicator's fence
 * compares its held epoch with the record, so a replicator of the old direction stops writing at its next check.
 */
public final class ReplicationAction implements Action {
    private final PairControl control;
    private final String pair;
    private final String activeRegion;
    private final ReplicationDirection direction;

    /** Target: {@code activeRegion} active and {@code direction} replicating ({@code null}: nobody replicates). */
    public ReplicationAction(PairControl control, String pair, String activeRegion, ReplicationDirection direction) {
        this.control = control;
        this.pair = pair;
        this.activeRegion = Objects.requireNonNull(activeRegion, "activeRegion");
        this.direction = direction;
    }

    /** Stop replication (direction none, new epoch), keeping the active region. */
    public static ReplicationAction fence(PairControl control, ControlRecord current) {
        return new ReplicationAction(control, current.pairName(), current.activeRegion(), null);
    }

    @Override
    public String name() {
        return "route " + pair + ": active " + activeRegion + ", replication "
                + (direction == null ? "none" : direction);
    }

    @Override
    public List<ApiCall> describe() {
        ControlRecord current = control.read(pair);
        return done(current) ? List.of() : List.of(call(current));
    }

    @Override
    public ActionResult execute() {
        ControlRecord current = control.read(pair);
        if (done(current)) {
            return ActionResult.unchanged(name(), Map.of("epoch", Long.toString(current.epoch())));
        }
        Outcome o = control.route(current, activeRegion, direction, name(), Map.of());
        if (o.applied()) {
            return new ActionResult(
                    name(),
                    true,
                    List.of(call(current)),
                    Map.of("epoch", Long.toString(o.record().epoch())));
        }
        if (done(o.record())) {
            return ActionResult.unchanged(
                    name(), Map.of("epoch", Long.toString(o.record().epoch())));
        }
        throw new IllegalStateException("lost the control record to another writer: " + o.reason());
    }

    private boolean done(ControlRecord r) {
        return r.activeRegion().equals(activeRegion) && Objects.equals(r.direction(), direction);
    }

    private ApiCall call(ControlRecord current) {
        return new ApiCall(
                "dynamodb",
                "PutItem",
                "control",
                Map.of(
                        "Put control record",
                                "pair#" + pair + "/control activeRegion=" + activeRegion + " direction="
                                        + (direction == null ? "none" : direction) + " epoch=" + (current.epoch() + 1)
                                        + " version=" + (current.version() + 1),
                        "ConditionExpression", "version = " + current.version(),
                        "then PutItem audit item",
                                "pair#" + pair + "#audit ACTION " + name()
                                        + " (also embedded in the record as lastAudit)"));
    }
}
