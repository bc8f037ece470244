// The entry grid's layout, after grid.js has prepared the cells:
// - nothing lost: leaving with unsaved edits asks first (links, other forms, the browser's own navigation),
//   and "Gửi báo cáo" is held back while a cell is known to be wrong;
// - room for the sticky headings and name column when a cell takes the focus, and the action bar's
//   "where am I" with the focused cell's history;
// - on a phone, one unit at a time: a card with the fields stacked, previous/next and a search by name.
(function () {
  "use strict";
  const table = document.getElementById("grid");
  const form = document.getElementById("grid-form");
  if (!table || !form) return;
  const wrap = document.getElementById("grid-wrap");
  const bar = document.getElementById("grid-bar");
  const where = document.getElementById("grid-where");
  const MSG = JSON.parse(document.getElementById("grid-messages").textContent);
  const heads = Array.from(table.querySelectorAll("thead th[data-t]"));
  const labels = heads.map((th) => th.textContent.replace(/\s+/g, " ").trim());
  const rows = [];
  let group = "";
  Array.from(table.tBodies[0].rows).forEach((tr) => {
    if (tr.classList.contains("grid-group")) group = tr.textContent.trim();
    else if (tr.dataset.u) { tr.cells[0].dataset.group = group; rows.push(tr); }
  });
  const controls = Array.from(form.querySelectorAll(".grid-cell"));
  controls.forEach((c) => { if (c.tagName === "SELECT" && c.dataset.initial === undefined) c.dataset.initial = c.value; });

  // ---- Nothing lost ----
  const edited = () => form.dataset.unsaved === "1" || controls.some((c) => (
    c.tagName === "SELECT" ? c.value !== c.dataset.initial : c.value !== c.defaultValue
  ));
  let leaving = false;
  const stay = () => edited() && !window.confirm(MSG.unsaved_leave);

  form.addEventListener("submit", (event) => {
    const wrong = Array.from(form.querySelectorAll(".grid-check:not([hidden])"));
    if (event.submitter && event.submitter.id === "submit-form" && wrong.length) {
      event.preventDefault();
      const cell = wrong[0].closest("td").querySelector(".grid-cell");
      if (cell) { reveal(cell); cell.focus(); }
      say(MSG.invalid_submit.replace("%(n)s", wrong.length), true);
      return;
    }
    leaving = true;
  });
  document.addEventListener("submit", (event) => {  // the review buttons, the language switch, sign-out
    if (event.target === form || event.defaultPrevented) return;
    if (stay()) event.preventDefault(); else leaving = true;
  });
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[href]");
    if (!link || event.defaultPrevented || link.target === "_blank" || link.hasAttribute("download")) return;
    if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    const href = link.getAttribute("href");
    if (href.startsWith("#") || href.startsWith("javascript:")) return;
    if (stay()) event.preventDefault(); else if (edited()) leaving = true;
  });
  window.addEventListener("beforeunload", (event) => {
    if (leaving || !edited()) return;
    event.preventDefault();
    event.returnValue = MSG.unsaved_leave;  // browsers show their own words
  });

  // A message in the action bar (read out by screen readers).
  function say(text, alarm) {
    where.textContent = text;
    where.classList.toggle("text-danger", Boolean(alarm));
    where.classList.toggle("fw-semibold", Boolean(alarm));
  }

  // ---- Where am I: the focused cell's unit and column, and its history ----
  const historyPattern = table.dataset.history;
  table.addEventListener("focusin", (event) => {
    const cell = event.target.closest(".grid-cell");
    if (!cell) return;
    const tr = cell.closest("tr");
    const col = Number(cell.dataset.col);
    describe(cell);
    markCurrent(rows.indexOf(tr));
    if (cards) return;
    where.classList.remove("text-danger", "fw-semibold");
    where.textContent = `${tr.cells[0].textContent} · ${labels[col]} · `;
    const link = document.createElement("a");
    link.href = historyPattern.replace("/IND/ROW/", `/${encodeURIComponent(heads[col].dataset.code)}/${encodeURIComponent(tr.dataset.u)}/`);
    link.target = "_blank";
    link.rel = "noopener";
    link.textContent = MSG.cell_history;
    where.appendChild(link);
  });

  // A focused cell is described by what is written under it: last period's value and any problem.
  let notes = 0;
  function describe(cell) {
    const ids = Array.from(cell.closest("td").querySelectorAll("small, .text-danger:not([hidden])")).map((note) => {
      if (!note.id) { notes += 1; note.id = `grid-note-${notes}`; }
      return note.id;
    });
    if (ids.length) cell.setAttribute("aria-describedby", ids.join(" "));
    else cell.removeAttribute("aria-describedby");
  }

  // ---- Room for the sticky parts: a focused cell never hides under the headings, names or bar ----
  // Moving from cell to cell scrolls at once: Bootstrap's smooth page scrolling would lag behind the keys.
  document.documentElement.style.scrollBehavior = "auto";
  function pad() {
    const thead = table.tHead;
    const foot = table.tFoot;
    const name = table.querySelector("thead th");
    document.documentElement.style.scrollPaddingBottom = `${bar.offsetHeight + 8}px`;
    if (cards) {
      wrap.style.maxHeight = "";
      return;
    }
    wrap.style.scrollPaddingTop = `${thead ? thead.offsetHeight : 0}px`;
    wrap.style.scrollPaddingBottom = `${foot ? foot.offsetHeight : 0}px`;
    wrap.style.scrollPaddingLeft = `${name ? name.offsetWidth : 0}px`;
    // As tall as the window less what follows the grid (the bar, the footer): scrolled to the end, the page
    // still shows the grid's top, so its headings never leave the window.
    const below = document.documentElement.scrollHeight - (wrap.getBoundingClientRect().bottom + window.scrollY);
    wrap.style.maxHeight = `${Math.max(240, window.innerHeight - below - 8)}px`;
  }

  // ---- A phone: one unit at a time ----
  const nav = document.getElementById("grid-cardnav");
  const pos = document.getElementById("card-pos");
  const prev = document.getElementById("card-prev");
  const next = document.getElementById("card-next");
  const search = document.getElementById("card-search");
  const narrow = window.matchMedia("(max-width: 767.98px)");
  let cards = false;
  let current = -1;

  function markCurrent(r) {
    if (r < 0 || r === current) return;
    if (rows[current]) rows[current].classList.remove("is-current");
    current = r;
    const tr = rows[r];
    tr.classList.add("is-current");
    Array.from(tr.cells).slice(1).forEach((td, c) => { if (!td.dataset.label) td.dataset.label = labels[c] || ""; });
    pos.textContent = MSG.position.replace("%(i)s", r + 1).replace("%(n)s", rows.length);
    prev.disabled = r === 0;
    next.disabled = r === rows.length - 1;
  }

  // grid.js asks before moving the focus into a row (arrows, Tab, Enter): on a phone that row's card shows.
  function reveal(cell) {
    markCurrent(rows.indexOf(cell.closest("tr")));
  }
  table.addEventListener("grid:reveal", (event) => reveal(event.target));

  function go(r, focus) {
    if (r < 0 || r >= rows.length) return;
    markCurrent(r);
    if (cards) { rows[r].scrollIntoView({ block: "nearest" }); return; }
    rows[r].scrollIntoView({ block: "center" });  // on a laptop the found row's first cell takes the focus
    const cell = focus && rows[r].querySelector(".grid-cell");
    if (cell) cell.focus({ preventScroll: true });
  }
  prev.addEventListener("click", () => go(current - 1));
  next.addEventListener("click", () => go(current + 1));

  const fold = (text) => String(text).normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d")
    .toLowerCase().replace(/\s+/g, " ").trim();
  // A unit's name, else its commune's (the commune's first unit), exactly, else in part, without accents.
  const names = rows.map((tr) => fold(tr.cells[0].textContent));
  const communes = rows.map((tr) => fold(tr.cells[0].dataset.group || ""));
  function find() {
    const wanted = fold(search.value);
    if (!wanted) return;
    let r = names.indexOf(wanted);
    if (r < 0) r = communes.indexOf(wanted);
    if (r < 0) {
      const after = names.findIndex((name, i) => i > current && name.includes(wanted));
      r = after >= 0 ? after : names.findIndex((name) => name.includes(wanted));
    }
    if (r < 0) r = communes.findIndex((name) => name.includes(wanted));
    if (r < 0) { say(MSG.not_found, true); return; }
    say("");
    go(r, true);
  }
  // Enter searches (again: the next unit of that name); a name picked from the list, once.
  let searched = "";
  search.addEventListener("keydown", (event) => {
    if (event.key === "Enter") { event.preventDefault(); searched = search.value; find(); }
  });
  search.addEventListener("change", () => {
    if (search.value !== searched) { searched = search.value; find(); }
  });

  function layout() {
    cards = narrow.matches && rows.length > 0;
    wrap.classList.toggle("grid-cards", cards);
    bar.classList.toggle("is-cards", cards);
    nav.hidden = rows.length < 2;  // on a laptop only the search shows
    if (!nav.hidden && !search.list.options.length) {
      const list = search.list;
      const seen = new Set();
      rows.forEach((tr) => [tr.cells[0].dataset.group, tr.cells[0].textContent].forEach((name) => {
        if (name && !seen.has(name)) { seen.add(name); list.appendChild(new Option(name)); }
      }));
    }
    if (cards && current < 0) {  // a refused save opens on the first unit with a problem
      const bad = table.querySelector("tbody td.bad, tbody .is-invalid");
      markCurrent(bad ? Math.max(0, rows.indexOf(bad.closest("tr"))) : 0);
    }
    pad();
  }
  // Scrolling down over the grid moves the page first, until the grid fills the window, then the grid.
  wrap.addEventListener("wheel", (event) => {
    if (cards || event.deltaY <= 0 || event.ctrlKey) return;
    const top = wrap.getBoundingClientRect().top;
    const room = document.documentElement.scrollHeight - window.innerHeight - window.scrollY;
    if (top < 1 || room < 1) return;
    event.preventDefault();
    window.scrollBy(0, Math.min(event.deltaY, top, room));
  }, { passive: false });

  narrow.addEventListener("change", layout);
  window.addEventListener("resize", pad);
  layout();
})();
