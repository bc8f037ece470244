// The entry grid: keyboard movement, paste of a block from Excel, totals and type checks as typed.
// The server checks everything again on save; this only helps the officer see mistakes early.
(function () {
  "use strict";
  const table = document.getElementById("grid");
  if (!table) return;
  const messagesNode = document.getElementById("grid-messages");
  const MSG = messagesNode ? JSON.parse(messagesNode.textContent) : {};
  const TRUE_WORDS = ["có", "co", "x", "1", "true", "yes", "c", "đúng", "dung", "y"];
  const FALSE_WORDS = ["không", "khong", "0", "false", "no", "k", "sai"];
  const norm = (text) => String(text).normalize("NFC").trim().replace(/\s+/g, " ").toLowerCase();

  // The page sends bare controls (300 rows stay light); each learns its row, column and type here, and a
  // yes/no cell (a text input reading "Có"/"Không" without script) becomes a three-way select.
  const heads = Array.from(table.querySelectorAll("thead th[data-t]"));
  const yesNo = [["", ""], ["1", MSG.yes || "Có"], ["0", MSG.no || "Không"]];
  const grid = [];
  Array.from(table.tBodies[0].rows).filter((tr) => tr.dataset.u).forEach((tr, r) => {
    tr.dataset.row = r;
    Array.from(tr.cells).slice(1).forEach((td, c) => {
      let cell = td.querySelector("input, select");
      if (!cell) return;
      const type = heads[c] ? heads[c].dataset.t : "TEXT";
      if (type === "BOOLEAN" && cell.tagName === "INPUT") {
        const select = document.createElement("select");
        select.dataset.type = type;
        yesNo.forEach(([value, label]) => select.add(new Option(label, value)));
        if (setSelect(select, cell.value)) {
          ["name", "className"].forEach((key) => { select[key] = cell[key]; });
          select.setAttribute("aria-labelledby", cell.getAttribute("aria-labelledby"));
          select.disabled = cell.disabled;
          select.dataset.initial = select.value;
          cell.replaceWith(select);
          cell = select;
        }
      } else if (type === "DATE") {
        cell.placeholder = MSG.placeholder_date || "";
      } else if (type === "INTEGER" || type === "DECIMAL") {
        cell.inputMode = "decimal";
      }
      cell.classList.add("grid-cell");
      cell.dataset.row = r;
      cell.dataset.col = c;
      cell.dataset.type = type;
      (grid[r] = grid[r] || [])[c] = cell;
    });
  });
  const rowCount = table.tBodies[0].querySelectorAll("tr[data-u]").length;
  const colCount = heads.length;

  // Same reading as reports/validation.py: "1.234,5" Vietnamese, "1234.5" plain, "1.234" in integer columns.
  function parseNumber(text, type) {
    let s = text.replace(/[\s\u00a0]/g, "");
    if (s.includes(",") && s.includes(".")) {
      if (s.lastIndexOf(",") > s.lastIndexOf(".")) s = s.replace(/\./g, "").replace(",", ".");
      else if (/^-?\d{1,3}(,\d{3})+(\.\d+)?$/.test(s)) s = s.replace(/,/g, "");
      else return NaN;
    } else if (s.includes(",")) {
      if ((s.match(/,/g) || []).length > 1) return NaN;
      s = s.replace(",", ".");
    } else if ((s.match(/\./g) || []).length > 1 || (type === "INTEGER" && /^-?\d{1,3}(\.\d{3})+$/.test(s))) {
      if (!/^-?\d{1,3}(\.\d{3})+$/.test(s)) return NaN;
      s = s.replace(/\./g, "");
    }
    if (!/^[-+]?\d+(\.\d+)?$/.test(s)) return NaN;
    return Number(s);
  }

  // The message under a cell, made when first needed (keeps a 200-row page small).
  function noteOf(cell) {
    const td = cell.closest("td");
    let note = td.querySelector(".grid-check");
    if (!note) {
      note = document.createElement("div");
      note.className = "small text-danger grid-check";
      note.hidden = true;
      td.appendChild(note);
    }
    return note;
  }

  function check(cell) {
    const type = cell.dataset.type;
    const text = cell.value.trim();
    let problem = "";
    if (text && (type === "INTEGER" || type === "DECIMAL")) {
      const n = parseNumber(text, type);
      if (Number.isNaN(n)) problem = MSG.not_number;
      else if (type === "INTEGER" && !Number.isInteger(n)) problem = MSG.not_integer;
      else if (n < 0) problem = MSG.negative;
    } else if (text && type === "DATE") {
      const m = text.match(/^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/) || null;
      const iso = text.match(/^(\d{4})-(\d{2})-(\d{2})$/);
      let d = null;
      if (m) d = [Number(m[3]), Number(m[2]), Number(m[1])];
      else if (iso) d = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
      // The right form but no such day (31/11/2020) says so, as the server does.
      const date = d && new Date(d[0], d[1] - 1, d[2]);
      if (!d) problem = MSG.not_date;
      else if (date.getMonth() !== d[1] - 1 || date.getDate() !== d[2]) problem = MSG.bad_date || MSG.not_date;
    }
    cell.classList.toggle("is-invalid", Boolean(problem));
    if (problem) cell.setAttribute("aria-invalid", "true"); else cell.removeAttribute("aria-invalid");
    if (problem || cell.closest("td").querySelector(".grid-check")) {
      const note = noteOf(cell);
      note.textContent = problem || "";
      note.hidden = !problem;
    }
    return !problem;
  }

  // A column's total over this page: typed values, and the values of rows shown read-only.
  const dataRows = Array.from(table.tBodies[0].rows).filter((tr) => tr.dataset.u);
  function total(col) {
    const foot = table.querySelector(`.grid-total[data-col="${col}"]`);
    const type = heads[col] && heads[col].dataset.t;
    if (!foot || (type !== "INTEGER" && type !== "DECIMAL")) return;
    let sum = 0;
    dataRows.forEach((tr) => {
      const td = tr.cells[col + 1];
      if (!td) return;
      const cell = td.querySelector(".grid-cell");
      const node = td.firstChild;
      const text = cell ? cell.value.trim() : (node && node.nodeType === 3 ? node.nodeValue.trim() : "");
      if (!text) return;
      const n = parseNumber(text, type);
      if (!Number.isNaN(n)) sum += n;
    });
    foot.textContent = (Math.round(sum * 100) / 100).toLocaleString("vi-VN");
  }

  // A pasted word for a select: an option's value or label (any case), or a yes/no word.
  function setSelect(select, text) {
    const word = norm(text);
    if (!word) { select.value = ""; return true; }
    let option = Array.from(select.options).find((o) => norm(o.value) === word || norm(o.text) === word);
    if (!option && select.dataset.type === "BOOLEAN") {
      if (TRUE_WORDS.includes(word)) option = select.querySelector('option[value="1"]');
      if (FALSE_WORDS.includes(word)) option = select.querySelector('option[value="0"]');
    }
    if (!option) return false;
    select.value = option.value;
    return true;
  }

  function setCell(cell, text) {
    if (cell.disabled) return;
    if (cell.tagName === "SELECT") {
      const ok = setSelect(cell, text);
      cell.classList.toggle("is-invalid", !ok);
      const note = noteOf(cell);
      note.textContent = ok ? "" : MSG.no_such_choice;
      note.hidden = ok;
    } else {
      cell.value = text.trim();
      check(cell);
    }
  }

  function focusCell(r, c) {
    if (r < 0 || r >= rowCount || c < 0 || c >= colCount) return false;
    const cell = grid[r] && grid[r][c];
    if (!cell) return false;
    // On a phone only one unit's card shows: grid-layout.js shows this cell's before it takes the focus.
    cell.dispatchEvent(new CustomEvent("grid:reveal", { bubbles: true }));
    cell.focus();
    if (cell.select) cell.select();
    return true;
  }

  function next(r, c, dr, dc) {
    // Skip read-only cells (another commune's rows for a commune officer); Tab and arrows wrap by row.
    let nr = r + dr;
    let nc = c + dc;
    if (dc !== 0 && (nc >= colCount || nc < 0)) {
      nr += dc > 0 ? 1 : -1;
      nc = dc > 0 ? 0 : colCount - 1;
    }
    while (nr >= 0 && nr < rowCount) {
      const cell = grid[nr] && grid[nr][nc];
      if (cell && !cell.disabled) return focusCell(nr, nc);
      if (dr === 0) {
        nc += dc;
        if (nc >= colCount || nc < 0) { nr += dc > 0 ? 1 : -1; nc = dc > 0 ? 0 : colCount - 1; }
      } else {
        nr += dr;
      }
    }
    return false;
  }

  table.addEventListener("keydown", (event) => {
    const cell = event.target.closest(".grid-cell");
    if (!cell) return;
    const r = Number(cell.dataset.row);
    const c = Number(cell.dataset.col);
    const isText = cell.tagName === "INPUT";
    const atStart = !isText || (cell.selectionStart === 0 && cell.selectionEnd === 0) || cell.selectionEnd - cell.selectionStart === cell.value.length;
    const atEnd = !isText || (cell.selectionStart === cell.value.length) || cell.selectionEnd - cell.selectionStart === cell.value.length;
    let moved = null;
    switch (event.key) {
      case "ArrowUp": moved = next(r, c, -1, 0); break;
      case "ArrowDown": moved = next(r, c, 1, 0); break;
      case "ArrowLeft": if (atStart) moved = next(r, c, 0, -1); else return; break;
      case "ArrowRight": if (atEnd) moved = next(r, c, 0, 1); else return; break;
      case "Tab": moved = event.shiftKey ? next(r, c, 0, -1) : next(r, c, 0, 1); if (!moved) return; break;
      case "Enter": moved = event.shiftKey ? next(r, c, -1, 0) : next(r, c, 1, 0); break;
      default: return;
    }
    event.preventDefault();
  });

  table.addEventListener("paste", (event) => {
    const cell = event.target.closest(".grid-cell");
    if (!cell) return;
    const text = (event.clipboardData || window.clipboardData).getData("text");
    if (!text.includes("\t") && !text.includes("\n")) {
      if (cell.tagName === "SELECT") { event.preventDefault(); setCell(cell, text); total(Number(cell.dataset.col)); }
      return;
    }
    event.preventDefault();
    const lines = text.replace(/\r\n?/g, "\n").replace(/\n$/, "").split("\n");
    const r0 = Number(cell.dataset.row);
    const c0 = Number(cell.dataset.col);
    const touched = new Set();
    lines.forEach((line, i) => {
      line.split("\t").forEach((value, j) => {
        const target = grid[r0 + i] && grid[r0 + i][c0 + j];
        if (target) { setCell(target, value); touched.add(c0 + j); }
      });
    });
    touched.forEach(total);
  });

  table.addEventListener("input", (event) => {
    const cell = event.target.closest(".grid-cell");
    if (!cell) return;
    if (cell.tagName === "INPUT") check(cell);
    total(Number(cell.dataset.col));
  });
  table.addEventListener("change", (event) => {
    const cell = event.target.closest(".grid-cell");
    if (!cell) return;
    if (cell.tagName === "SELECT" && cell.value !== "") {
      cell.classList.remove("is-invalid");  // a choice from the list is always a valid one
      const note = cell.closest("td").querySelector(".grid-check");
      if (note) note.hidden = true;
    }
    total(Number(cell.dataset.col));
  });

  for (let c = 0; c < colCount; c += 1) total(c);
})();
