// Loaded after the add-on's files: e2eLoseNextPush() makes the next push fail before it
// leaves, as a push that never reached the server (or never committed) does. The add-on has
// saved the batch by then, so the next sync sends it again.
var e2eRealServerClient_ = serverClient_;

serverClient_ = function (connection) {
  var client = e2eRealServerClient_(connection);
  var push = client.push;
  client.push = function (table, request) {
    var props = PropertiesService.getDocumentProperties();
    if (props.getProperty('e2e.loseNextPush')) {
      props.deleteProperty('e2e.loseNextPush');
      throw new Error('the push never reached the server');
    }
    return push(table, request);
  };
  return client;
};

function e2eLoseNextPush() {
  PropertiesService.getDocumentProperties().setProperty('e2e.loseNextPush', 'yes');
}
