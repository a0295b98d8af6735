package io.kinesisha.common.config;

/** How the replicator reads the primary stream: EFO gets dedicated throughput, POLLING needs no consumer. */
public enum ReaderType implements ConfigEnum {
    EFO,
    POLLING;

    @Override
    public String configValue() {
        return name();
    }
}
