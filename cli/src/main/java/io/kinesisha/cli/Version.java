package io.kinesisha.cli;

import picocli.CommandLine.IVersionProvider;

/** Reads the version from the jar manifest, so {@code --version} never disagrees with the build. */
public final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = KinesisHa.class.getPackage().getImplementationVersion();
        return new String[] {"kinesis-ha " + (version == null ? "(development build)" : version)};
    }
}
