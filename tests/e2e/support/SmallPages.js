// Loaded after the add-on's files: four rows per page, so a small table takes many pages and
// a test can watch a first sync stop between pages and carry on in the next execution.
var SYNC_PAGE_SIZE_ = 4;
