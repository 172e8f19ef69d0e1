package io.raftline.benchmarks;

import org.openjdk.jmh.annotations.Fork;

/**
 * The forked JVM of every benchmark here: one fork with the flags of raftline.jvm.flags in the parent pom, which
 * every JVM running Raftline needs on Java 17. JMH reads {@code @Fork} from a benchmark's superclass.
 */
@Fork(value = 1, jvmArgsAppend = {
    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
    "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
    "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
    "-Dchronicle.analytics.disable=true",
    "-Dchronicle.announcer.disable=true",
    "-Ddisable.single.threaded.check=true",
    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
public abstract class RaftlineFork
{
}
