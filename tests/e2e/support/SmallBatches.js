// Loaded after the add-on's files: one change per push batch, so a test can watch a sync
// stop at its time budget between batches and carry on in the next execution.
var SYNC_BATCH_SIZE_ = 1;
