/* Form behaviour that used to be inline handlers (the Content-Security-Policy allows no inline script):
   <select data-submit-on-change> sends its form when changed; <form data-confirm="…"> asks first. */
document.addEventListener("change", function (event) {
  var field = event.target;
  if (field.matches && field.matches("select[data-submit-on-change]") && field.form) { field.form.submit(); }
});
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) { event.preventDefault(); }
});
