if obj.data ~= nil and obj.data.ready == "true" then
  return {status = "Healthy", message = "configmap says ready"}
end
return {status = "Progressing", message = "configmap not ready"}
