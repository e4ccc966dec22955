// The note editor's safety net. The text is saved on the server as the writer's own draft
// every so often and whenever the editor loses focus (never in the browser: council PCs
// are shared). Two minutes before the session ends, a warning offers to stay signed in
// (GOV.UK's timeout warning pattern); if it ends anyway, the last saved draft is offered
// back after signing in. Without JavaScript the Save draft button keeps the text instead.
// A session ends when idle or at its absolute limit from signing in, whichever is sooner;
// the server says which (extendable): only idleness can be put off.

const form = document.querySelector("form[data-note-autosave]");
const statusLine = document.querySelector("[data-autosave-status]");
const dialog = document.querySelector("dialog[data-session-warning]");
let signedOut = false;
let saveNow = async () => {};
// Every answer from the server says how long the session now has (the request counted as
// activity); the warning follows it.
let sessionChanged = () => {};

class SignedOut extends Error {}

function csrfToken() {
  const field = document.querySelector("input[name=csrf_token]");
  return field ? field.value : "";
}

async function post(url, body) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: {
      Accept: "application/json",
      "Content-Type": "application/json",
      "X-CSRFToken": csrfToken(),
    },
    body: JSON.stringify(body),
  });
  // A session that has ended is sent to the sign-in page: a page, not JSON.
  const type = response.headers.get("Content-Type") || "";
  if (response.redirected || !type.includes("application/json")) throw new SignedOut();
  const answer = await response.json();
  if (!response.ok) throw new Error(answer.error || response.statusText);
  return answer;
}

function signInLink(words) {
  const link = document.createElement("a");
  link.className = "govuk-link";
  link.href = dialog ? dialog.dataset.signInUrl : "/sign-in";
  link.textContent = words;
  return link;
}

function showSignedOut() {
  signedOut = true;
  const message = "You have been signed out. Your last saved draft is kept for you: ";
  if (statusLine) {
    statusLine.replaceChildren(message, signInLink("sign in again to restore it"), ".");
  }
  if (dialog) {
    dialog.querySelector("h2").textContent = "You have been signed out";
    const text = dialog.querySelector("[data-session-warning-text]");
    text.replaceChildren(message, signInLink("sign in again to restore it"), ".");
    dialog.querySelector("[data-stay-signed-in-row]").hidden = true;
    dialog.querySelector("[data-session-final]").hidden = true;
    if (!dialog.open) dialog.showModal();
  }
}

if (form && statusLine) {
  const body = form.elements.namedItem("body");
  let saved = body.value;
  let submitting = false;

  const draft = () => {
    const section = form.querySelector("input[name=section]:checked");
    const revision = form.elements.namedItem("revision");
    return {
      note: form.dataset.note || null,
      section: section ? section.value : null,
      revision: revision && revision.value ? revision.value : null,
      body: body.value,
    };
  };

  saveNow = async () => {
    if (submitting || signedOut || body.value === saved) return;
    const text = body.value;
    try {
      const answer = await post(form.dataset.autosaveUrl, draft());
      saved = text;
      statusLine.textContent = answer.message;
      sessionChanged(answer);
    } catch (error) {
      if (error instanceof SignedOut) showSignedOut();
      else statusLine.textContent = `Your draft could not be saved just now: ${error.message}`;
    }
  };

  setInterval(saveNow, Number(form.dataset.autosaveSeconds || 20) * 1000);
  body.addEventListener("blur", saveNow);
  form.addEventListener("submit", () => {
    submitting = true;
  });
}

if (dialog) {
  const warnBefore = Number(dialog.dataset.warnBefore) * 1000;
  const countdown = dialog.querySelector("[data-countdown]");
  const stay = dialog.querySelector("[data-stay-signed-in]");
  const stayRow = dialog.querySelector("[data-stay-signed-in-row]");
  const final = dialog.querySelector("[data-session-final]");
  let deadline = Date.now() + Number(dialog.dataset.expiresIn) * 1000;
  let extendable = dialog.dataset.extendable === "true";
  let warnTimer;
  let tickTimer;

  const words = (milliseconds) => {
    const seconds = Math.max(0, Math.ceil(milliseconds / 1000));
    if (seconds > 60) {
      const minutes = Math.ceil(seconds / 60);
      return `${minutes} minutes`;
    }
    if (seconds === 60) return "1 minute";
    return `${seconds} second${seconds === 1 ? "" : "s"}`;
  };

  const tick = () => {
    const left = deadline - Date.now();
    if (left <= 0) {
      clearInterval(tickTimer);
      showSignedOut();
      return;
    }
    countdown.textContent = words(left);
  };

  const warn = () => {
    saveNow();
    tick();
    clearInterval(tickTimer);
    tickTimer = setInterval(tick, 1000);
    if (!signedOut && !dialog.open) dialog.showModal();
  };

  const schedule = () => {
    clearTimeout(warnTimer);
    clearInterval(tickTimer);
    warnTimer = setTimeout(warn, Math.max(0, deadline - warnBefore - Date.now()));
  };

  const follow = (answer) => {
    deadline = Date.now() + answer.expires_in * 1000;
    extendable = answer.extendable === true;
    stayRow.hidden = !extendable;
    final.hidden = extendable;
  };

  sessionChanged = (answer) => {
    if (typeof answer.expires_in !== "number" || dialog.open) return;
    follow(answer);
    schedule();
  };

  const staySignedIn = async () => {
    if (!extendable) return;
    try {
      const answer = await post(dialog.dataset.refreshUrl, {});
      if (answer.expires_in === null) throw new SignedOut();
      follow(answer);
      // At the absolute limit the warning stays open, counting down, with its reason.
      if (!extendable) return;
      dialog.close();
      schedule();
    } catch {
      showSignedOut();
    }
  };

  stay.addEventListener("click", staySignedIn);
  // Escape closes a modal dialog: as in GOV.UK's pattern, it means "stay signed in".
  dialog.addEventListener("cancel", (event) => {
    if (signedOut) return;
    event.preventDefault();
    staySignedIn();
  });
  schedule();
}
