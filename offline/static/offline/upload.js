// The upload page: say that the file is being checked, and keep the button from sending it twice.
document.getElementById("upload-form").addEventListener("submit", function () {
  document.getElementById("upload-progress").hidden = false;
  document.getElementById("upload-button").disabled = true;
});
