package io.raftline.client;

/** Decides which received frame types reach a producer or consumer: tests lose frames with it. */
@FunctionalInterface
interface FrameFilter
{
    boolean accept(int type);
}
