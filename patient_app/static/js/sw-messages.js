// The messages a page may send the service worker, named once for both sides: the pages
// import this module, and patient_app/views/pwa.py puts the same lines (without "export")
// into the worker it serves. A name changed here changes on both sides at once.
export const MESSAGE = Object.freeze({
  SKIP_WAITING: "skip-waiting",
  HELLO: "hello",
  KEEP: "keep",
  FORGET: "forget",
  STATUS: "status",
  KEEP_MESSAGE: "keep-message",
  WAITING: "waiting",
  FORGET_MESSAGE: "forget-message",
  SEND_WAITING: "send-waiting",
  PUSH_OWNER: "push-owner",
});
