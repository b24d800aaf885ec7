if obj.status ~= nil and obj.status.ready == true then
  return {status = "Healthy", message = "widget ready"}
end
return {status = "Progressing", message = "widget waiting"}
