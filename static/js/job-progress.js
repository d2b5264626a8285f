// A job's progress page: poll its status and move the bar without a reload; reload once the
// job has finished, so the page shows the report. Without this script the page refreshes
// itself (a <noscript> meta refresh) and has a link to do so.
const bar = document.getElementById("job-progress");
const EVERY_MS = 1000;

function show(status) {
  const number = (n) => n.toLocaleString("en-GB");
  document.getElementById("job-status-label").textContent = status.status_label;
  document.getElementById("job-rows-read").textContent = number(status.rows_read);
  document.getElementById("job-bad-rows").textContent = number(status.bad_rows);
  document.getElementById("job-live").textContent =
    `${status.status_label}: ${number(status.rows_read)} rows read, ${number(status.bad_rows)} bad.` +
    (status.stage ? ` ${status.stage}` : "");
  if (status.percent === null) {
    bar.removeAttribute("value"); // indeterminate: the rows are read, the rest takes a while
    bar.textContent = "";
  } else {
    bar.value = status.percent;
    bar.textContent = `${status.percent}%`;
  }
}

async function poll() {
  try {
    const response = await fetch(bar.dataset.statusUrl, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    if (response.ok) {
      const status = await response.json();
      show(status);
      if (status.finished) {
        window.location.reload();
        return;
      }
    }
  } catch {
    // The server is out of reach for a moment: try again at the next tick.
  }
  window.setTimeout(poll, EVERY_MS);
}

if (bar) {
  window.setTimeout(poll, EVERY_MS);
}
