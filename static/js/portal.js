// Site-wide behaviour, kept out of templates so the Content-Security-Policy needs no inline script.
document.addEventListener("change", (event) => {
  if (event.target.matches(".js-autosubmit")) {
    event.target.form.submit();
  }
});
