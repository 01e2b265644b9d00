// Preloaded into a child process: writes its peak RSS (MiB) to $TRAILSCOPE_RSS_FILE on exit.
process.on('exit', () => {
  const file = process.env.TRAILSCOPE_RSS_FILE;
  if (file) require('node:fs').writeFileSync(file, String(process.resourceUsage().maxRSS / 1024));
});
